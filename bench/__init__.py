"""The benchmark harness (issue 6): `python bench/run.py`. See README "Performance"."""
