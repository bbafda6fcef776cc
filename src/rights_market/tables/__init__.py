"""The result tables of a run: their one declaration (:mod:`rights_market.tables.schema`)."""

from .schema import SCHEMA, Column, TableSchema, dtypes

__all__ = ["SCHEMA", "Column", "TableSchema", "dtypes"]
