#compdef litho
# zsh completion for litho. Enable it with, in ~/.zshrc after compinit:
#   source <(litho completion zsh)
# litho lists the candidates itself (commands, flags, the pipeline's
# stages), asked with urfave/cli's protocol: the words before the cursor,
# the word at it when it starts with "-", then --generate-bash-completion.
_litho() {
  local cur=${words[CURRENT]}
  local -a req opts
  req=("${(@Q)words[1,CURRENT-1]}")
  [[ $cur == -* ]] && req+=("${(Q)cur}")
  opts=("${(@f)$("${req[@]}" --generate-bash-completion 2>/dev/null)}")
  if [[ -n ${opts[1]} ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _litho litho
