"""Imported by the fork server only (worker._context preloads it): warms the process
every worker is forked from.  See tasks.warm."""
from .tasks import warm

warm()
