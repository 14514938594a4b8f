"""What leaves the pipeline besides the per-document tables: the panel
(panel.py), the DuckDB database (duckdb.py) and the review pages (review.py)."""
