"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

A service is an active complaint category (service_code = its code, group = its parent's
name); a service request is a complaint. Every resource answers in XML (.xml, the spec's
required format) and JSON (.json); lists and single requests are arrays; errors are
[{"code", "description"}] (XML <errors><error>...), with HTTP 404 for what does not exist,
403 for a missing or wrong api_key, 429 for too many wrong tokens and 400 for the rest.

Decisions, because a complaint about a unit's conduct is not a pothole:

- Ids and tokens. A complaint's only key for its petitioner is its tracking code (查询码):
  whoever holds it reads the case, writes to the office, rates and asks for reviews. Lists
  publish service_request_id, so the id cannot be the code. POST requests therefore answers
  with a ``token`` (the tracking code, shown only to the filer) and no service_request_id,
  which is the spec's "batch" type; tokens/{token} gives the public id, and is throttled
  like every tracking lookup. service_notice repeats the code and names the tracking page,
  for clients that show the notice to the person.
- What is public. GET requests and requests/{id} show only what reveals no one: id, status
  (open/closed), status_notes (the status in words), the category, agency_responsible (the
  handling unit, once accepted), requested/updated/expected times. Never the description,
  the address, the unit complained about, the petitioner or attachments: a complaint's text
  and place often identify its petitioner, and no account proves that a caller filed it.
  These fields are present and null (empty in XML), as the spec allows. Every complaint is
  listed, whatever its channel. lat/long given on POST are kept in the complaint's location
  text (there is no map here).
- Filing. The form fields of the spec: service_code, description (the complaint; its first
  line is the title), address_string or lat/long (optional: a conduct complaint need not
  have a place), first_name/last_name, phone, email. A name and a phone make a real-name
  complaint; otherwise it is anonymous and nothing of the person is kept (the notice says
  so). media_url, address_id, device_id, account_id and attributes are ignored: no remote
  file is ever fetched. api_key is required when settings.JIUFENG_OPEN311_API_KEYS is set;
  jurisdiction_id, when given, must be settings.JIUFENG_OPEN311_JURISDICTION_ID (if set).
  A filing answers 200, as in the spec's examples.
"""
