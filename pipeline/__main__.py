"""`python -m pipeline` does what the `zhfig` console script does."""
from pipeline.cli import app

app(prog_name="zhfig")
