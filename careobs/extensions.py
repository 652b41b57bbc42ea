"""Flask extensions, instantiated here and bound to the app in create_app."""

from flask_compress import Compress
from flask_login import LoginManager

from careobs.csrf import MaskedCSRFProtect

# HTML and JSON responses, compressed with what the browser accepts (zstd, Brotli, gzip).
compress = Compress()
csrf = MaskedCSRFProtect()  # reads the masked tokens pages carry (careobs/csrf.py)
login_manager = LoginManager()
