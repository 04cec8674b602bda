"""The speed-ups that reach past Flask's and its extensions' public API
(core/patches.py): what they rely on is still there, they find every hook they
wrap, and the app works the same with them switched off."""

import pytest

from yongxi_learn import create_app
from yongxi_learn.core import patches
from yongxi_learn.extensions import limiter


def test_every_private_name_the_patches_use_exists_in_these_releases():
    assert patches.missing_private_names() == []


def test_the_hooks_the_patches_wrap_are_all_found(app):
    fresh = create_app({**app.config, "FRAMEWORK_PATCHES": False})  # hooks as they ship
    fresh.config["FRAMEWORK_PATCHES"] = True
    assert patches.skip_idle_hooks(fresh, limiter) == []


def test_a_hook_not_found_is_left_as_it_is_and_named(app):
    fresh = create_app({**app.config, "FRAMEWORK_PATCHES": False})
    fresh.config["FRAMEWORK_PATCHES"] = True
    fresh.before_request_funcs[None] = []
    assert {"limiter check", "csrf check"} <= set(patches.skip_idle_hooks(fresh, limiter))


class TestPatchedAndAsShipped:
    @pytest.fixture(params=[True, False], ids=["patched", "as-shipped"])
    def app_config(self, request):
        return {"FRAMEWORK_PATCHES": request.param}

    def test_pages_links_and_posts_work(self, app, client, login, learner):
        assert client.get("/login").status_code == 200
        login(learner)
        home = client.get("/")
        assert home.status_code == 200 and 'href="/exams/"' in home.get_data(as_text=True)
        # A POST through the limiter's and the CSRF check's hooks.
        assert client.post("/logout").status_code == 302
        assert client.get("/").status_code == 302  # logged out: to the login page
        # The links of the pages were remembered only with the patches on.
        assert bool(app._built_urls) is app.config["FRAMEWORK_PATCHES"]
