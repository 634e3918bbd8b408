"""The SQLite store: schema and migrations, item upserts with change events, queries.

All SQL lives in this package. Code outside it calls the Store's methods and the read
functions of its modules, and passes `Store.db` (a `Database`) through without using it.
"""

import sys

# sqlite-utils imports numpy and pandas whenever they are installed (numpy comes with the
# `learn` extra's scikit-learn), only to know their number types, which we never store: about
# 0.3 s of every command. Hidden while sqlite-utils loads, they stay importable afterwards.
_hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
for _name in _hidden:
    sys.modules[_name] = None  # type: ignore[assignment]  # None: `import numpy` raises ImportError
try:
    from sqlite_utils import Database
finally:
    for _name in _hidden:
        del sys.modules[_name]

from monitor.store.db import Store, open_store  # noqa: E402

__all__ = ["Database", "Store", "open_store"]
