from voicekit.cli.app import main

main()
