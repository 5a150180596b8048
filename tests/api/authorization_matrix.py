"""Who reaches which API endpoint: the API's rows of the authorization matrix
(tests/pages/test_authorization_matrix.py checks that every routed URL has a row here or there).

Each role sends its own read-write token (anonymous: none), against patient A's records. Writes
are sent an empty JSON body: an allowed role's answer is the 400 of its missing fields (or the
change that an empty body asks for), never a 401, 403 or 404.
"""

from tests.pages.test_authorization_matrix import Row

# fmt: off
#                                                                       anon pat_a pat_b t_trt t_oth recep  mgr
API_MATRIX: dict[str, Row] = {
    # The schema: anyone logged in (a session or a token); its page, a page of the site like any other.
    "api:schema":                      Row("GET",   None,          (403, 200, 200, 200, 200, 200, 200)),
    "api:docs":                        Row("GET",   None,          (302, 200, 200, 200, 200, 200, 200)),
    # Patients: the front desk all; a therapist her own (the list, the one she treats); no patient.
    "api:patient_list":                Row("GET",   None,          (401, 403, 403, 200, 200, 200, 200)),
    "api:patient_detail":              Row("GET",   "patient",     (401, 403, 403, 200, 403, 200, 200)),
    "api:availability":                Row("GET",   None,          (401, 403, 403, 200, 200, 200, 200),
                                           query={"modality": "modality"}),
    # Booking: any therapist books, moves and cancels, as on the pages.
    "api:appointment_list":            Row("GET",   None,          (401, 403, 403, 200, 200, 200, 200)),
    "api:appointment_detail":          Row("GET",   "appointment", (401, 403, 403, 200, 200, 200, 200)),
    "api:appointment_reschedule":      Row("POST",  "appointment", (401, 403, 403, 400, 400, 400, 400)),
    "api:appointment_status":          Row("POST",  "appointment", (401, 403, 403, 400, 400, 400, 400)),
    # Courses: the front desk reads them all; a therapist those of her patients.
    "api:course_list":                 Row("GET",   None,          (401, 403, 403, 200, 200, 200, 200)),
    "api:course_detail":               Row("GET",   "course",      (401, 403, 403, 200, 403, 200, 200)),
    # Notes: the session's own therapist, and managers; never the front desk.
    "api:note_list":                   Row("GET",   None,          (401, 403, 403, 200, 200, 403, 200)),
    "api:note_detail":                 Row("GET",   "note",        (401, 403, 403, 200, 403, 403, 200)),
    # The patient's own data; another patient's session is 404.
    "api:own_record":                  Row("GET",   None,          (401, 200, 200, 403, 403, 403, 403)),
    "api:own_appointments":            Row("GET",   None,          (401, 200, 200, 403, 403, 403, 403)),
    "api:own_appointment_cancel":      Row("POST",  "appointment", (401, 200, 404, 403, 403, 403, 403)),
    "api:own_courses":                 Row("GET",   None,          (401, 200, 200, 403, 403, 403, 403)),
    "api:own_summaries":               Row("GET",   None,          (401, 200, 200, 403, 403, 403, 403)),
}

# The writes of endpoints whose rows above are reads: (name, method) -> Row.
API_WRITES: dict[tuple[str, str], Row] = {
    ("api:patient_list", "POST"):      Row("POST",  None,          (401, 403, 403, 403, 403, 400, 400)),
    # An empty change of contact details changes nothing, and is allowed to the front desk.
    ("api:patient_detail", "PATCH"):   Row("PATCH", "patient",     (401, 403, 403, 403, 403, 200, 200)),
    ("api:appointment_list", "POST"):  Row("POST",  None,          (401, 403, 403, 400, 400, 400, 400)),
    ("api:course_list", "POST"):       Row("POST",  None,          (401, 403, 403, 400, 400, 403, 400)),
}
# fmt: on
