from lienthong_cli.main import main

raise SystemExit(main(["serve", "portal"]))
