import sys

from nnlabs.selfcheck import main

sys.exit(main())
