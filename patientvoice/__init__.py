"""patientvoice: patient and public involvement for health and social care."""
