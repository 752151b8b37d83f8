import sys

from lienthong_cli.main import main

sys.exit(main(["serve", "dossiers"]))
