from lienthong_runtime.config import ServiceSettings, load_settings, service_config


class DemoSettings(ServiceSettings):
    model_config = service_config("DEMO")
    api_key: str = ""


def test_env_prefix_and_file_secrets(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("LIENTHONG_DEMO_PORT", "5999")
    monkeypatch.setenv("LIENTHONG_DEMO_API_KEY_FILE", str(secret))
    settings = load_settings(DemoSettings)
    assert settings.port == 5999 and settings.api_key == "s3cret"


def test_explicit_value_beats_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-file")
    monkeypatch.setenv("LIENTHONG_DEMO_API_KEY", "from-env")
    monkeypatch.setenv("LIENTHONG_DEMO_API_KEY_FILE", str(secret))
    assert load_settings(DemoSettings).api_key == "from-env"
    assert load_settings(DemoSettings, api_key="override").api_key == "override"
