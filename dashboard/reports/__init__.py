"""Monthly dispatch (月调度), quarterly bulletin (季通报) and annual summary (年总结).

content.gather runs queries/shared/*.sql (the pages read them too) and queries/reports/*.sql
into a Report (plain data); narrative
writes one paragraph per section; xlsx and docx draw the same Report.
"""
