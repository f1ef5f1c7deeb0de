// Starts Alpine for pages that use it. Loaded by portal/base.html as a module after the page's
// own scripts, so a page can register components in an `alpine:init` listener first.
import Alpine from "../vendor/alpine/alpine.esm.min.js";

window.Alpine = Alpine;
Alpine.start();
