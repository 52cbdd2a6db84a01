from zhixin.cli import main

raise SystemExit(main())
