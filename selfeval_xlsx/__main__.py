import sys

from selfeval_xlsx.cli import main

sys.exit(main())
