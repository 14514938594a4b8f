"""What leaves the pipeline besides the single-file tables of pipeline/write.py."""
