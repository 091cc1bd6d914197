"""Benchmarks that print a table and write JSON: python -m bench {accuracy,inference,training,app,robustness,all}."""
