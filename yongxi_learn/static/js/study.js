// 我的学习清单: count the ticked 重点 and 专业 laws as they are ticked, so the person
// sees the rule before saving. The server checks the rule again. Plain ES5.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form.study-choose");
  for (var i = 0; i < forms.length; i++) { watch(forms[i]); }

  function watch(form) {
    var need = { key: parseInt(form.getAttribute("data-key"), 10) || 0,
                 field: parseInt(form.getAttribute("data-field"), 10) || 0 };
    var hint = form.querySelector(".choose-hint");
    function ticked(kind) {
      return form.querySelectorAll("input[data-kind=" + kind + "]:checked").length;
    }
    function update() {
      var parts = [];
      var kinds = ["key", "field"];
      for (var k = 0; k < kinds.length; k++) {
        var kind = kinds[k];
        var count = form.querySelector(".choose-count[data-for=" + kind + "]");
        if (count) { count.textContent = "（已选" + ticked(kind) + "部）"; }
        var name = kind === "key" ? "重点" : "专业";
        if (ticked(kind) > need[kind]) { parts.push(name + "法规多选了" + (ticked(kind) - need[kind]) + "部"); }
        if (ticked(kind) < need[kind]) { parts.push(name + "法规还需选" + (need[kind] - ticked(kind)) + "部"); }
      }
      hint.textContent = parts.length ? parts.join("；") : "选择符合要求，请保存。";
    }
    form.addEventListener("change", update);
    update();
  }
}());
