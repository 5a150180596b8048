"""A model's get_FOO_display() without the cost of Django's own.

Django's builds a dict of all the field's choices on every call and hashes each (value, label)
pair, which translates every label of the field: showing one diagnosis's cause translated all
ten causes. The chart shows a dozen such labels, and each cost as much as the rest of its row.
"""

from django.utils.encoding import force_str


def choice_display(field_name: str):
    """A get_<field_name>_display method, for a model's class body (Django keeps a method defined
    there): the label of the field's value, translated now, or the value itself when it is not one
    of the choices, as Django's does. The labels are looked up in a dict made once, of the lazy
    labels, so only the one shown is translated."""
    labels: dict = {}

    def display(self):
        if not labels:
            labels.update(self._meta.get_field(field_name).flatchoices)
        value = getattr(self, field_name)
        return force_str(labels.get(value, value), strings_only=True)

    display.__name__ = display.__qualname__ = f"get_{field_name}_display"
    return display
