from pages.chart import break_glass, intake, views

app_name = "chart"

urlpatterns = [*views.routes, *break_glass.routes, *intake.routes]
