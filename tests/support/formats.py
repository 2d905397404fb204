"""The file formats the pipelines write, as test cases."""

from __future__ import annotations

import pandas as pd
import pytest

# Every file format the pipelines write, with an old and a newer value: round trips run on a
# local disk and in a bucket alike.
OLD_TABLE, NEW_TABLE = pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [3]})
FORMAT_CASES = pytest.mark.parametrize(
    ("kind", "name", "data", "newer"),
    [
        ("pandas.ParquetDataset", "t.parquet", OLD_TABLE, NEW_TABLE),
        ("pandas.CSVDataset", "t.csv", OLD_TABLE, NEW_TABLE),
        ("json.JSONDataset", "t.json", {"alias": "champion"}, {"alias": "challenger"}),
    ],
)


def assert_loads(dataset, expected) -> None:
    """The dataset loads ``expected``: a table equal column by column, or an equal value."""
    loaded = dataset.load()
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(loaded, expected)
    else:
        assert loaded == expected
