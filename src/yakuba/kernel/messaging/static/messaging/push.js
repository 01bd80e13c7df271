/* 「この端末で通知を受け取る」: registers the town's service worker, subscribes this browser to Web Push
   with the deployment's VAPID key and hands the subscription to the server. Messages come from the page
   (data-msg-* attributes, translated server-side). */
(function () {
  "use strict";

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function decodeKey(base64url) {
    const padded = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    const raw = window.atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameKey(subscription, key) {
    const current = subscription.options && subscription.options.applicationServerKey;
    if (!current) {
      return false;
    }
    const a = new Uint8Array(current);
    if (a.length !== key.length) {
      return false;
    }
    return a.every((byte, i) => byte === key[i]);
  }

  function activated(registration) {
    if (registration.active) {
      return Promise.resolve(registration);
    }
    const worker = registration.installing || registration.waiting;
    return new Promise((resolve, reject) => {
      worker.addEventListener("statechange", () => {
        if (worker.state === "activated") {
          resolve(registration);
        } else if (worker.state === "redundant") {
          reject(new Error("service worker redundant"));
        }
      });
    });
  }

  async function subscribe(root) {
    const swUrl = new URL(root.dataset.swUrl, window.location.href);
    const registration = await navigator.serviceWorker.register(swUrl.href, {
      scope: new URL(".", swUrl).pathname, updateViaCache: "none",
    });
    await activated(registration);
    const keyResponse = await fetch(root.dataset.keyUrl, {credentials: "same-origin"});
    if (!keyResponse.ok) {
      throw new Error("key " + keyResponse.status);
    }
    const key = decodeKey((await keyResponse.json()).publicKey);
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key});
    }
    const body = {subscription: subscription.toJSON()};
    if (root.dataset.token) {
      body.token = root.dataset.token;
    }
    const response = await fetch(root.dataset.subscribeUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf},
      body: JSON.stringify(body),
    });
    let result = {};
    try {
      result = await response.json();
    } catch (error) {
      result = {};
    }
    if (!response.ok) {
      throw new Error(result.error || "subscribe " + response.status);
    }
    return result;
  }

  function init(root) {
    if (root.dataset.pushReady) {
      return;
    }
    root.dataset.pushReady = "1";
    const controls = root.querySelector("[data-push-controls]");
    const button = root.querySelector("[data-push-button]");
    const status = root.querySelector("[data-push-status]");
    const next = root.querySelector("[data-push-next]");
    root.hidden = false;
    if (!supported()) {
      status.textContent = root.dataset.msgUnsupported;
      return;
    }
    controls.hidden = false;
    if (Notification.permission === "denied") {
      status.textContent = root.dataset.msgDenied;
    } else if (Notification.permission === "granted") {
      // Already set up on this device: say so (pressing the button again only refreshes the registration).
      const swUrl = new URL(root.dataset.swUrl, window.location.href);
      navigator.serviceWorker.getRegistration(new URL(".", swUrl).href)
        .then((registration) => registration && registration.pushManager.getSubscription())
        .then((subscription) => {
          if (subscription && !status.textContent) {
            status.textContent = root.dataset.msgActive;
          }
        })
        .catch(() => undefined);
    }
    let busy = false;
    button.addEventListener("click", async () => {
      if (busy) {
        return;
      }
      // aria-disabled rather than disabled: the button keeps keyboard focus while we work.
      busy = true;
      button.setAttribute("aria-disabled", "true");
      status.textContent = root.dataset.msgWorking;
      try {
        const permission = await Notification.requestPermission();
        if (permission !== "granted") {
          status.textContent = root.dataset.msgDenied;
          return;
        }
        const result = await subscribe(root);
        status.textContent = root.dataset.msgSuccess;
        if (result.manage_url && !root.dataset.token && next) {
          next.querySelector("a").href = result.manage_url;
          next.hidden = false;
        }
      } catch (error) {
        status.textContent = root.dataset.msgError;
      } finally {
        busy = false;
        button.removeAttribute("aria-disabled");
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-push]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
