"""The relational parts of the bulk pipelines, written once as Ibis expressions and run by DuckDB (embedded, the
default) or Spark (local or a cluster): :mod:`.session` picks and starts the engine and reads inputs,
:mod:`.fec` queries the FEC ingest's Parquet, :mod:`.holdings` turns 13F data sets into holdings and κ per
quarter, :mod:`.shares` turns a share panel into HHI and CRn per market-year. Numerics stay in NumPy on the
driver, over the aggregated tables (``measures/``). Needs the ``spark`` extra (Ibis, PySpark)."""
