"""`make bench` and `make soak`: the benchmark lab, its servers and load runs, and its reports."""
