"""A workspace's URL table, written beside its views: each view states its address once, above
its definition, and its URL name is its function's name, so the two cannot drift apart.

    routes = Routes()

    @routes("appointments/<int:pk>/cancel/")
    @role_required(...)
    def appointment_cancel(request, pk): ...

The workspace's urls.py lists the modules' tables under its namespace."""

from django.urls import URLPattern, path, reverse


class Routes(list[URLPattern]):
    def __call__(self, route: str):
        def register(view):
            self.append(path(route, view, name=view.__name__))
            return view

        return register

    def add(self, route: str, view, name: str) -> None:
        """A view a builder made (its function's name is the builder's): named here."""
        self.append(path(route, view, name=name))


# A number no object's pk reaches in a test or a demo: it marks where the pk goes.
_PK_PLACEHOLDER = 987654321


def url_pattern(name: str) -> str:
    """The address of the view `name` with "{pk}" where its one pk goes: a list that links each of
    its hundreds of rows formats it instead of calling reverse() per row (which costs more than
    the row)."""
    return reverse(name, args=[_PK_PLACEHOLDER]).replace(str(_PK_PLACEHOLDER), "{pk}")
