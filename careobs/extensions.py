"""Flask extensions, instantiated here and bound to the app in create_app."""

from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

# HTML and JSON responses, compressed with what the browser accepts (zstd, Brotli, gzip).
compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
