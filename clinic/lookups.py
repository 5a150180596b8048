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
        values = sorted({field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs} - {None})
        if not values:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s::{field.db_type(connection)}[])", (*lhs_params, values)


def lookups_register() -> None:
    ForeignKey.register_lookup(AnyOf)
