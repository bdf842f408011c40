from patientvoice.cli import main

main()
