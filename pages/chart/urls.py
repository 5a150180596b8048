from pages.chart import break_glass, views

app_name = "chart"

urlpatterns = [*views.routes, *break_glass.routes]
