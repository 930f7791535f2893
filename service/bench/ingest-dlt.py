"""The peer in `bench:ingest`: dlt loading flights-3m with the `merge` write disposition on the dataset's key.

Reads the Parquet file with pyarrow (dlt's fastest path) and merges it into a DuckDB database. Prints one JSON
line: seconds, rows loaded and peak RSS.
"""

import json
import resource
import sys
import time

import dlt
import pyarrow.parquet as pq

parquet, database = sys.argv[1], sys.argv[2]
KEY = ["date", "origin", "destination", "delay", "distance"]


@dlt.resource(name="flights", write_disposition="merge", primary_key=KEY)
def flights():
    yield pq.read_table(parquet)


started = time.perf_counter()
pipeline = dlt.pipeline(
    pipeline_name="odp_bench_flights",
    destination=dlt.destinations.duckdb(database),
    dataset_name="bench",
    pipelines_dir=f"{database}.pipelines",
)
info = pipeline.run(flights())
seconds = time.perf_counter() - started
with pipeline.sql_client() as client:
    stored = client.execute_sql("SELECT count(*) FROM flights")[0][0]
print(
    json.dumps(
        {
            "step": "dlt",
            "seconds": seconds,
            "stored": stored,
            "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "loads": len(info.loads_ids),
        }
    )
)
