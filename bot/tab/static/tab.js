/* The tab's script: Teams single sign-on, the Teams theme, the meeting side panel and stage,
   and the configurable tab's settings page. The pages work without it (except signing in
   through Teams and saving a tab's settings, which only Teams can do). */
(function () {
  "use strict";
  var teams = window.microsoftTeams;
  var html = document.documentElement;

  function say(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }

  function setTheme(theme) {
    html.setAttribute("data-theme", ["dark", "contrast"].indexOf(theme) >= 0 ? theme : "default");
  }

  function initialise() {
    if (!teams || !teams.app) { return Promise.reject(new Error("TeamsJS is not loaded")); }
    var timeout = new Promise(function (_, reject) {
      setTimeout(function () { reject(new Error("not running inside Teams")); }, 4000);
    });
    return Promise.race([teams.app.initialize(), timeout]).then(function () {
      return teams.app.getContext();
    });
  }

  function withView(view) {
    var url = new URL(window.location.href);
    url.searchParams.set("view", view);
    return url.toString();
  }

  function signIn(context) {
    var box = document.getElementById("signin");
    if (!box) { return; }
    if (!context) {
      say("signin-status", "This page signs you in when it is opened as a tab in Microsoft Teams.");
      return;
    }
    teams.authentication.getAuthToken().then(function (token) {
      return fetch("/tab/session", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: token })
      });
    }).then(function (answer) {
      if (answer.ok) {
        window.location.replace(box.getAttribute("data-next") || "/tab/my");
        return null;
      }
      return answer.text().then(function (text) { say("signin-status", text); });
    }).catch(function (error) {
      say("signin-status", "Teams could not sign you in (" + (error && error.message || error) +
        "). Ask your Teams admin to grant the app consent, then open the tab again.");
    });
  }

  function meetingViews(context) {
    var frame = context && context.page && context.page.frameContext;
    var layout = document.body.className;
    var onDashboard = document.body.getAttribute("data-page") === "plan";
    if (onDashboard && frame === "sidePanel" && layout.indexOf("layout-panel") < 0) {
      window.location.replace(withView("panel"));
      return;
    }
    if (onDashboard && frame === "meetingStage" && layout.indexOf("layout-stage") < 0) {
      window.location.replace(withView("stage"));
      return;
    }
    var share = document.querySelector(".share-stage");
    if (!share || frame !== "sidePanel" || !teams.meeting) { return; }
    teams.meeting.getAppContentStageSharingCapabilities(function (error, result) {
      if (error || !result || !result.doesAppHaveSharePermission) { return; }
      share.hidden = false;
      document.getElementById("share-stage").addEventListener("click", function () {
        say("share-status", "Sharing…");
        teams.meeting.shareAppContentToStage(function (err) {
          say("share-status", err ? "Could not share: " + (err.message || err.errorCode) :
            "Shared to the meeting stage.");
        }, share.getAttribute("data-share-url"));
      });
    });
  }

  function configPage(context) {
    var form = document.getElementById("tab-config");
    if (!form) { return; }
    if (!context) { say("config-status", "Open this page from Teams to add the tab."); return; }
    var select = document.getElementById("config-body");
    teams.pages.config.registerOnSaveHandler(function (saveEvent) {
      var base = form.getAttribute("data-base");
      var key = select.value;
      var option = select.options[select.selectedIndex];
      var query = key ? "?body=" + encodeURIComponent(key) : "";
      teams.pages.config.setConfig({
        entityId: "plan-dashboard" + (key ? "-" + key : ""),
        contentUrl: base + "/tab/plan" + query,
        websiteUrl: base + "/tab/plan" + query,
        suggestedDisplayName: key ? "Plan: " + option.getAttribute("data-label") : "Plan dashboard"
      }).then(function () { saveEvent.notifySuccess(); }, function (error) {
        saveEvent.notifyFailure(String(error));
      });
    });
    teams.pages.config.setValidityState(true);
  }

  function focusErrors() {
    var first = document.querySelector("[data-focus-on-load]");
    if (first) { first.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    initialise().then(function (context) {
      setTheme(context.app && context.app.theme);
      teams.app.registerOnThemeChangeHandler(setTheme);
      teams.app.notifySuccess();
      signIn(context);
      meetingViews(context);
      configPage(context);
    }, function () {
      signIn(null);
      configPage(null);
    });
  });
})();
