import sys

from tests.rendimiento.banco import main

sys.exit(main())
