"""The patient portal: the patient's own treatment, sessions and calendar."""
