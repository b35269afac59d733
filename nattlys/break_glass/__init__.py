"""Break-glass access (nødtilgang): a supporter in the care circle who is not
on duty opens the patient's check-ins for a short time, with a stated reason
that the patient sees at once and an administrator reviews."""
