"""What leaves the pipeline besides the per-document tables: the panel
(panel.py), the DuckDB database (duckdb.py), the review pages (review.py) and
the partitioned Parquet datasets (dataset.py, `--dataset`)."""
