"""The clinic's British English formats: Django's en_GB ones with the 24-hour clock.

Django's en_GB shows times as "2:30 p.m." (TIME_FORMAT and DATETIME_FORMAT "P") and fills time
inputs with seconds ("14:30:00"); the clinic's pages and the admin read "14:30".
settings.FORMAT_MODULE_PATH points here; whatever is not set here is Django's en_GB format.
"""

DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
# The first one writes a time into an input (the admin's time box and its "Now" button); all are read.
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
