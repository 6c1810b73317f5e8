from scr_cpd.cli.app import main

main()
