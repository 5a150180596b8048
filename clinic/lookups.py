"""`patient_id__any=ids`: the `in` lookup for a long list of ids, as one array on PostgreSQL.

The day's pages ask about hundreds of patients at once (today's board: the health flags, the
acute diagnoses and the consents of every patient booked today). Written as `IN (%s, %s, …)`, each
id is one more placeholder for the ORM to build and one more constant for PostgreSQL to parse and
plan: with 308 ids the flags' query took 7.6 ms against 3.1 ms as `= ANY(%s)` with the ids in
one array (docs/PERFORMANCE.md, thirteenth round). The rows are the same; other databases (SQLite
in development and tests) keep `IN`."""

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignKey
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        # As `in` does: a None matches nothing, and no id at all means no row.
        values = {field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs} - {None}
        sql, params = any_of_sql(connection, lhs, values, field.db_type(connection))
        return sql, (*lhs_params, *params)


def any_of_sql(connection, column: str, values, db_type: str = "bigint") -> tuple[str, list]:
    """The condition "`column` is one of `values`" (ids, none of them None) and its parameters:
    one array of `db_type` on PostgreSQL, `IN (%s, …)` elsewhere. No value at all means no row,
    as `in` says: EmptyResultSet."""
    values = sorted(values)
    if not values:
        raise EmptyResultSet
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{db_type}[])", [values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def lookups_register() -> None:
    ForeignKey.register_lookup(AnyOf)
