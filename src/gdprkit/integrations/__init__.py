"""Integrations of gdprkit with other libraries, each an optional extra imported by path.

* :mod:`gdprkit.integrations.sqlalchemy` (``pip install 'gdprkit[sql]'``): retention sweeps
  over database tables (``sweep_table``).

Importing this package imports no optional dependency.
"""

__all__: list[str] = []
