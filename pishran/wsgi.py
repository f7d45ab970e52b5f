import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pishran.settings")
# This process serves web requests: the settings give its database connections the
# statement timeout (PISHRAN_STATEMENT_TIMEOUT_MS); management commands never import this.
os.environ["PISHRAN_WEB_PROCESS"] = "1"
application = get_wsgi_application()

from pishran.startup import settle  # noqa: E402  (after the app is set up)

# What every request needs is loaded now and kept out of the garbage collector's walks.
settle()
