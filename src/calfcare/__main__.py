from calfcare.cli import main

main()
