"""One reader per format, all returning what a SourceDocument needs; see pipeline/read.py."""
