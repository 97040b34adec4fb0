from msbrewrite.cli.entry import main

main()
