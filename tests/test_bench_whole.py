"""bench's whole-process figures count CPU seconds of the process and of the children it waited for."""
import sys

from dashboard import bench

SPIN = """
import multiprocessing as mp, time
def spin(s):
    t = time.process_time()
    while time.process_time() - t < s:
        pass
if __name__ == "__main__":
    p = mp.get_context("fork").Process(target=spin, args=(0.4,))
    p.start(); spin(0.2); p.join()
    time.sleep(0.3)
"""


def test_whole_counts_the_children_cpu_and_the_wall():
    cpu, wall = bench.whole([sys.executable, "-c", SPIN], runs=1)
    assert 0.55 <= cpu < 2.5           # 0.2 s here + 0.4 s in the child (+ start-up)
    assert wall >= 0.5                 # the sleep is wall, not CPU
