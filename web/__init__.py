"""web: the composition root (HTTP, WebSockets, pages).

Path integers are bounded here, before any route table of the package is built.
"""

from web.paths import bound_path_integers

bound_path_integers()
