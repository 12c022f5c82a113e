"""The dataset report (report.html), rendered from manifests; `render_report` re-renders it."""
