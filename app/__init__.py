"""Chorus: consultations, petitions, forums and panels that reach a council's review findings."""
