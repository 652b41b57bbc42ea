"""The app starts, serves its login page and answers the health check."""


def test_login_page_and_health(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_admin_can_log_in_and_see_home(client, auth, data):
    acme = data.organisation()
    auth.login(acme.admin)
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Ada Admin" in page
    assert "Acme Care House" in page
