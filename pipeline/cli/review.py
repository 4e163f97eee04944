"""Commands of this stage are registered here (see pipeline.cli)."""
