"""The peer in `bench:ingest`: dlt loading flights-3m with the `merge` write disposition on the dataset's key.

Reads the Parquet file with pyarrow (dlt's fastest path) and merges it into a DuckDB database. Prints one JSON
line: seconds, rows read and stored, and peak RSS. Then, untimed, writes the stored key columns to a Parquet file
(times in UTC, as the lake holds them) so the benchmark can tell whether dlt stored the same rows as the pipeline.
"""

import json
import resource
import sys
import time

import dlt
import pyarrow.parquet as pq

parquet, database, stored_keys = sys.argv[1], sys.argv[2], sys.argv[3]
KEY = ["date", "origin", "destination", "delay", "distance"]


received = 0


@dlt.resource(name="flights", write_disposition="merge", primary_key=KEY)
def flights():
    global received
    table = pq.read_table(parquet)
    received = table.num_rows
    yield table


started = time.perf_counter()
pipeline = dlt.pipeline(
    pipeline_name="odp_bench_flights",
    destination=dlt.destinations.duckdb(database),
    dataset_name="bench",
    pipelines_dir=f"{database}.pipelines",
)
info = pipeline.run(flights())
seconds = time.perf_counter() - started
# The peak of the load itself, before the untimed export below.
peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
with pipeline.sql_client() as client:
    stored = client.execute_sql("SELECT count(*) FROM flights")[0][0]
    client.execute_sql("SET TimeZone = 'UTC'")
    client.execute_sql(
        f"COPY (SELECT date::TIMESTAMP AS date, {', '.join(KEY[1:])} FROM flights) TO '{stored_keys}' (FORMAT parquet)"
    )
print(
    json.dumps(
        {
            "step": "dlt",
            "seconds": seconds,
            "received": received,
            "stored": stored,
            "peakRssMb": peak_rss_mb,
            "loads": len(info.loads_ids),
        }
    )
)
